"""Graph stage: iterative algorithms on person graphs, as Pregel programs.

An algorithm here is a :class:`~transforms.graph.pregel.PregelProgram` in GraphFrames'
vocabulary (vertices with ``id``, edges with ``src``/``dst``, messages, one aggregation),
so the same program runs on the project's DataFrame runner everywhere and on GraphFrames'
own Pregel where a cluster has its jar. Which engine runs is decided once per job
(:func:`~transforms.graph.engine.resolve_engine`) and reported in its run log.
"""
